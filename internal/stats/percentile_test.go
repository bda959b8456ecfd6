package stats

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestPercentileCont: the selection gives, for any size, duplicates and
// order, what interpolating over the sorted values gives.
func TestPercentileCont(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	sorted := func(ds []float64, f float64) float64 {
		s := slices.Clone(ds)
		slices.Sort(s)
		pos := f * float64(len(s)-1)
		first, second := math.Floor(pos), math.Ceil(pos)
		lo, hi := s[int(first)], s[int(second)]
		return lo + float64((pos-first)*(hi-lo))
	}
	for n := 1; n <= 300; n++ {
		for _, shape := range []string{"random", "few values", "ascending", "descending"} {
			ds := make([]float64, n)
			for i := range ds {
				switch shape {
				case "random":
					ds[i] = r.Float64() * 60
				case "few values":
					ds[i] = float64(r.IntN(4))
				case "ascending":
					ds[i] = float64(i) / 7
				case "descending":
					ds[i] = float64(n-i) / 7
				}
			}
			for _, f := range []float64{0, 0.1, 0.5, 0.9, 1} {
				want := sorted(ds, f)
				if got := percentileCont(slices.Clone(ds), f); got != want {
					t.Fatalf("n=%d %s f=%v: got %v, want %v", n, shape, f, got, want)
				}
			}
			d := durationOf(slices.Clone(ds))
			if d.N != n || d.Median != sorted(ds, 0.5) || d.P90 != sorted(ds, 0.9) {
				t.Fatalf("n=%d %s: durationOf = %+v", n, shape, d)
			}
		}
	}
	if d := durationOf(nil); d != (Duration{}) {
		t.Errorf("durationOf(nil) = %+v, want none", d)
	}
}
