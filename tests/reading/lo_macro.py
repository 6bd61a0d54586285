"""Edit workbooks with LibreOffice itself, headless, as a user would in Calc: insert or
delete a row (the defined names follow, as Calc moves them), add print areas or a Basic
library, save with a password, save as .xls/.xlsx/.ods.

One soffice start runs every job: a Basic module is put in a fresh user profile (macros of
"My Macros" run without a security prompt) and called with a job list. Paths must be ASCII
(Basic reads the list in the system encoding); sheets are given by index for the same reason.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")

FILTERS = {".xls": "MS Excel 97", ".xlsx": "Calc MS Excel 2007 XML", ".ods": "calc8"}

_MODULE = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE script:module PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "module.dtd">
<script:module xmlns:script="http://openoffice.org/2000/script" script:name="Module1" script:language="StarBasic">
Sub Batch(listPath As String)
  Dim f As Integer, line As String
  f = FreeFile
  Open listPath For Input As #f
  Do While Not EOF(f)
    Line Input #f, line
    If line &lt;&gt; &quot;&quot; Then RunJob(Split(line, &quot;|&quot;))
  Loop
  Close #f
End Sub

Function StoreArgs(filter As String, pwd As String)
  Dim n As Integer
  n = 1
  If pwd &lt;&gt; &quot;&quot; Then n = 2
  Dim args(n) As New com.sun.star.beans.PropertyValue
  args(0).Name = &quot;FilterName&quot;
  args(0).Value = filter
  args(1).Name = &quot;Overwrite&quot;
  args(1).Value = True
  If pwd &lt;&gt; &quot;&quot; Then
    args(2).Name = &quot;Password&quot;
    args(2).Value = pwd
  End If
  StoreArgs = args
End Function

Sub AddPrintAreas(doc)
  &apos; Excel&apos;s built-in name Print_Area on every sheet of the .xls
  Dim i As Integer
  For i = 0 To doc.Sheets.Count - 1
    sheet = doc.Sheets.getByIndex(i)
    Dim areas(0) As New com.sun.star.table.CellRangeAddress
    areas(0) = sheet.getCellRangeByName(&quot;A1:H20&quot;).getRangeAddress()
    sheet.setPrintAreas(areas())
  Next i
End Sub

Sub AddBasic(doc)
  REM a Basic library in the document, as Tools - Macros - Organize makes one
  libs = doc.BasicLibraries
  If Not libs.hasByName(&quot;ThuVien&quot;) Then libs.createLibrary(&quot;ThuVien&quot;)
  basicLib = libs.getByName(&quot;ThuVien&quot;)
  basicLib.insertByName(&quot;Module1&quot;, &quot;Sub Main&quot; &amp; Chr(10) &amp; &quot;  MsgBox 1&quot; &amp; Chr(10) &amp; &quot;End Sub&quot; &amp; Chr(10))
End Sub

Sub RunJob(job)
  On Error GoTo Failed
  Dim load(0) As New com.sun.star.beans.PropertyValue
  load(0).Name = &quot;Hidden&quot;
  load(0).Value = True
  doc = StarDesktop.loadComponentFromURL(ConvertToURL(job(0)), &quot;_blank&quot;, 0, load())
  If CInt(job(2)) &gt;= 0 Then
    sheet = doc.Sheets.getByIndex(CInt(job(2)))
    sheet.unprotect(&quot;&quot;)
    If InStr(job(4), &quot;delete&quot;) &gt; 0 Then
      sheet.Rows.removeByIndex(CLng(job(3)), 1)
    Else
      sheet.Rows.insertByIndex(CLng(job(3)), 1)
    End If
    sheet.protect(&quot;&quot;)
  End If
  If InStr(job(4), &quot;print&quot;) &gt; 0 Then AddPrintAreas(doc)
  If InStr(job(4), &quot;basic&quot;) &gt; 0 Then AddBasic(doc)
  Dim i As Integer
  For i = 5 To UBound(job) Step 2
    doc.storeToURL(ConvertToURL(job(i)), StoreArgs(job(i + 1), job(1)))
  Next i
  doc.close(True)
  Exit Sub
Failed:
  If Not IsNull(doc) Then doc.close(True)
End Sub
</script:module>
"""
_LIBRARY = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE library:library PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "library.dtd">
<library:library xmlns:library="http://openoffice.org/2000/library" library:name="Standard" library:readonly="false" library:passwordprotected="false">
 <library:element library:name="Module1"/>
</library:library>
"""
_LIBRARIES = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE library:libraries PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "libraries.dtd">
<library:libraries xmlns:library="http://openoffice.org/2000/library" xmlns:xlink="http://www.w3.org/1999/xlink">
 <library:library library:name="Standard" library:link="false"/>
</library:libraries>
"""


@dataclass
class Job:
    src: Path
    outputs: list[Path]
    password: str = ""
    sheet: int = -1  # 0-based sheet index to insert a row in, -1 for none
    row: int = 0  # 0-based: the new row takes this index, rows from it move down
    delete: bool = False  # delete that row instead (rows below move up)
    print_areas: bool = False  # a print area on every sheet
    basic: bool = False  # a Basic library (one module) in the document


def run(jobs: list[Job], work: Path, timeout: float = 180) -> None:
    """Run every job in one LibreOffice start; raise if an output is missing."""
    profile = work / "lo-profile"
    basic = profile / "user" / "basic"
    env = f"-env:UserInstallation={profile.as_uri()}"
    if not (basic / "Standard").exists():  # a first start makes the profile, then ours goes in
        subprocess.run([SOFFICE, "--headless", "--terminate_after_init", env], check=True, capture_output=True,
                       timeout=timeout)
    (basic / "Standard").mkdir(parents=True, exist_ok=True)
    (basic / "Standard" / "Module1.xba").write_text(_MODULE, encoding="utf-8")
    (basic / "Standard" / "script.xlb").write_text(_LIBRARY, encoding="utf-8")
    (basic / "script.xlc").write_text(_LIBRARIES, encoding="utf-8")
    lines = []
    for job in jobs:
        flags = (("print", job.print_areas), ("delete", job.delete), ("basic", job.basic))
        fields = [str(job.src), job.password, str(job.sheet), str(job.row), ",".join(f for f, on in flags if on)]
        for out in job.outputs:
            fields += [str(out), FILTERS[out.suffix]]
        lines.append("|".join(fields))
    listing = work / "jobs.txt"
    listing.write_text("\n".join(lines) + "\n", encoding="ascii")
    subprocess.run(
        [SOFFICE, "--headless", "--norestore", env,
         f"macro:///Standard.Module1.Batch(\"{listing}\")"],
        check=True, capture_output=True, timeout=timeout,
    )
    missing = [str(out) for job in jobs for out in job.outputs if not out.exists()]
    if missing:
        raise RuntimeError(f"LibreOffice did not write {missing}")
