"""How much a whole-column UDF call saves over one call per cell.

Compares, on 100,000-row ranges shaped as xlwings hands them over (lists of rows):

* array: ``CREDIT_LIMIT_TARGET(B2:B100001, C2:C100001, 365)``, one call;
* cell by cell: the same function called once per row (measured on a slice of rows and
  scaled, since each call costs the same);
* baseline: the bare numpy expression, including converting the lists to arrays and the
  result back to a list of rows.

Goals: array >= 50x faster than cell by cell, and within 2x of the baseline.
Run: ``python benchmarks/bench_udfs.py``.
"""

from __future__ import annotations

import argparse
import random
import timeit

import numpy as np

from kaishu import udfs


def best(statement, repeat: int) -> float:
    return min(timeit.repeat(statement, number=1, repeat=repeat))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--cell-rows", type=int, default=5_000,
                        help="rows actually called one by one (scaled to --rows)")
    parser.add_argument("--repeat", type=int, default=5)
    options = parser.parse_args()

    rng = random.Random(20251124)
    sales = [[float(rng.randrange(1_000_000, 500_000_000, 1_000))] for _ in range(options.rows)]
    days = [[float(rng.choice((30, 45, 60, 90, 120)))] for _ in range(options.rows)]

    def array_call():
        return udfs.CREDIT_LIMIT_TARGET(sales, days, 365.0)

    def cell_by_cell():
        return [udfs.CREDIT_LIMIT_TARGET([s], [d], 365.0)
                for s, d in zip(sales[:options.cell_rows], days[:options.cell_rows])]

    def baseline():
        s = np.array(sales, dtype=float)
        d = np.array(days, dtype=float)
        return (s * d / 365.0).tolist()

    assert np.allclose(np.array(array_call(), dtype=float), baseline())
    t_array = best(array_call, options.repeat)
    t_base = best(baseline, options.repeat)
    t_cells = best(cell_by_cell, 1) * options.rows / options.cell_rows

    print(f"rows                     {options.rows:>12,}")
    print(f"array call               {t_array * 1e3:>12.1f} ms")
    print(f"cell by cell (scaled)    {t_cells * 1e3:>12.1f} ms")
    print(f"numpy baseline           {t_base * 1e3:>12.1f} ms")
    print(f"cell by cell / array     {t_cells / t_array:>12.1f} x   (goal >= 50)")
    print(f"array / baseline         {t_array / t_base:>12.2f} x   (goal <= 2)")


if __name__ == "__main__":
    main()
