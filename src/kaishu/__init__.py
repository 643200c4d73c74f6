"""kaishu (回収): credit limits and collection checks for Excel.

回収するまでが営業 — a sale is not done until it is collected.
"""

__version__ = "0.1.0"
