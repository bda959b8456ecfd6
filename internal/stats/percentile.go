package stats

import (
	"math"
	"slices"
)

// durationOf is the Duration of the days ds (reordered); none when ds is
// empty.
func durationOf(ds []float64) Duration {
	if len(ds) == 0 {
		return Duration{}
	}
	return Duration{N: len(ds), Median: percentileCont(ds, percentiles[0]), P90: percentileCont(ds, percentiles[1])}
}

// percentiles are the fractions a Duration reports: the median and the
// 90th percentile.
var percentiles = [2]float64{0.5, 0.9}

// ranksOf is the ranks (0-based, ascending) percentile_cont(f) reads of n
// values: those at floor and ceil of pos = f·(n−1), once when they agree.
func ranksOf(n int, f float64) []int {
	pos := f * float64(n-1)
	first, second := int(math.Floor(pos)), int(math.Ceil(pos))
	if first == second {
		return []int{first}
	}
	return []int{first, second}
}

// interpolated is PostgreSQL's percentile_cont(f) WITHIN GROUP (ORDER BY
// x) over n > 0 values whose value of rank k is at(k), computed as
// PostgreSQL computes it: the values at the ranks of ranksOf, interpolated
// as lo + (pos − floor)·(hi − lo). It asks for the lower rank first.
func interpolated(n int, f float64, at func(k int) float64) float64 {
	pos := f * float64(n-1)
	first := math.Floor(pos)
	lo := at(int(first))
	if math.Ceil(pos) == first {
		return lo
	}
	hi := at(int(first) + 1)
	// The conversion keeps Go from fusing the product with the sum into one
	// rounding (PostgreSQL's x86-64 builds round twice too).
	return lo + float64((pos-first)*(hi-lo))
}

// percentileCont is interpolated over the non-empty ds. It reorders ds
// and needs no sort: a selection finds the lower rank, the upper one is
// the least of what lies above it.
func percentileCont(ds []float64, f float64) float64 {
	lower := true
	return interpolated(len(ds), f, func(k int) float64 {
		if lower {
			lower = false
			return selectRank(ds, k)
		}
		// ds[:k] holds the k least values now.
		return slices.Min(ds[k:])
	})
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
