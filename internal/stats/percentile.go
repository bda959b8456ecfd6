package stats

import "math"

// durationOf is the Duration of the days ds (reordered); none when ds is
// empty.
func durationOf(ds []float64) Duration {
	if len(ds) == 0 {
		return Duration{}
	}
	return Duration{N: len(ds), Median: percentileCont(ds, 0.5), P90: percentileCont(ds, 0.9)}
}

// percentileCont is PostgreSQL's percentile_cont(f) WITHIN GROUP (ORDER BY
// x) over the non-empty ds, computed as PostgreSQL computes it: the values
// at the ranks floor and ceil of pos = f·(n−1) (0-based), interpolated as
// lo + (pos − floor)·(hi − lo).
// It reorders ds and needs no sort: a selection finds the lower rank, the
// upper one is the least of what lies above it.
func percentileCont(ds []float64, f float64) float64 {
	pos := f * float64(len(ds)-1)
	first, second := math.Floor(pos), math.Ceil(pos)
	lo := selectRank(ds, int(first))
	if second == first {
		return lo
	}
	hi := ds[int(first)+1]
	for _, d := range ds[int(first)+2:] {
		hi = min(hi, d)
	}
	// The conversion keeps Go from fusing the product with the sum into one
	// rounding (PostgreSQL's x86-64 builds round twice too).
	return lo + float64((pos-first)*(hi-lo))
}

// selectRank reorders ds so that ds[k] is the value of rank k (0-based)
// in ascending order, those before it no greater and those after it no
// less, and returns it (Hoare's selection, median-of-three pivots).
func selectRank(ds []float64, k int) float64 {
	lo, hi := 0, len(ds)-1
	for lo < hi {
		mid := lo + (hi-lo)/2
		if ds[mid] < ds[lo] {
			ds[mid], ds[lo] = ds[lo], ds[mid]
		}
		if ds[hi] < ds[lo] {
			ds[hi], ds[lo] = ds[lo], ds[hi]
		}
		if ds[hi] < ds[mid] {
			ds[hi], ds[mid] = ds[mid], ds[hi]
		}
		pivot := ds[mid]
		i, j := lo, hi
		for i <= j {
			for ds[i] < pivot {
				i++
			}
			for ds[j] > pivot {
				j--
			}
			if i <= j {
				ds[i], ds[j] = ds[j], ds[i]
				i++
				j--
			}
		}
		// ds[lo..j] ≤ pivot ≤ ds[i..hi], and what lies between equals it.
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return ds[k]
		}
	}
	return ds[k]
}
