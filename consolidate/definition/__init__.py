"""The report definition: one plan's reporting regime, loaded from YAML and checked.

Public face: `load` a definition (folder or YAML file) into a `Definition`, or get a
`DefinitionError` carrying every problem at once.
"""

from consolidate.definition.loader import DefinitionError, default_definition, load, shipped
from consolidate.definition.model import Definition, Field, Period, Section, Task, Unit

__all__ = ["Definition", "DefinitionError", "Field", "Period", "Section", "Task", "Unit",
           "default_definition", "load", "shipped"]
