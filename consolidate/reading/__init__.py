"""Reading returned workbooks: bytes -> RawReturn (see consolidate.returns).

`read_file` reads one file in this process, behind guards against the inputs known to
crash or exhaust the readers; `read_many` reads a batch in worker processes so that a file
that still crashes the reader costs only itself.
"""

from consolidate.reading.extract import read_file
from consolidate.reading.isolate import read_many
from consolidate.reading.sniff import is_owner_file

__all__ = ["is_owner_file", "read_file", "read_many"]
