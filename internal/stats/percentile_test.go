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

// TestLine_Change: the filings against the year before in whole percent,
// rounded half away from zero, and none without filings then.
func TestLine_Change(t *testing.T) {
	for _, c := range []struct {
		filed, before, want int
		ok                  bool
	}{
		{12, 10, 20, true}, {8, 10, -20, true}, {10, 10, 0, true}, {0, 4, -100, true},
		{2, 3, -33, true}, {1, 3, -67, true}, {4, 3, 33, true}, {5, 0, 0, false}, {0, 0, 0, false},
		{201, 200, 1, true}, {199, 200, -1, true},
	} {
		got, ok := Line{Filed: c.filed, FiledBefore: c.before}.Change()
		if got != c.want || ok != c.ok {
			t.Errorf("%d against %d: %d %v, want %d %v", c.filed, c.before, got, ok, c.want, c.ok)
		}
	}
}
