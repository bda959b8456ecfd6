package cases

// SetSearchWindow sets how many of a list's newest cases List searches one
// by one before computing the sets of matching ids, and returns a function
// restoring the old value. Only for tests that do not run in parallel.
func SetSearchWindow(n int) (restore func()) {
	old := searchWindow
	searchWindow = n
	return func() { searchWindow = old }
}

// SetSearchSpan sets the first span of ids searchNewest searches, and
// returns a function restoring the old value. Only for tests that do not
// run in parallel.
func SetSearchSpan(n int64) (restore func()) {
	old := searchSpan
	searchSpan = n
	return func() { searchSpan = old }
}
