"""okrsheets: run a company's OKR cycle in Excel workbooks or Google Sheets."""

from okrsheets.core.scoring import score_key_result
from okrsheets.core.values import read_cell_value
from okrsheets.errors import OkrsheetsError

__version__ = "0.1.0"

__all__ = ["OkrsheetsError", "read_cell_value", "score_key_result", "__version__"]
