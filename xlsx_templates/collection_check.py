"""Called by the 今月を更新 button of collection_check.xlsm (xlwings' SampleCall imports the
module named like the workbook and runs its main()). If you rename the workbook, copy this
file to the new name with .py."""

from kaishu.excel import refresh_caller


def main() -> None:
    refresh_caller()
