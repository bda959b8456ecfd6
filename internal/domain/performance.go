package domain

import "time"

// PerformanceResult is what a follow-up (回访) found about the performance
// of the mediation agreement (People's Mediation Law art. 31).
type PerformanceResult string

// Performance results.
const (
	PerformancePerformed PerformanceResult = "performed" // 已履行
	PerformancePartly    PerformanceResult = "partly"    // 部分履行
	PerformanceRefused   PerformanceResult = "refused"   // 拒绝履行
)

// PerformanceResults lists every result.
var PerformanceResults = []PerformanceResult{PerformancePerformed, PerformancePartly, PerformanceRefused}

// Performance is one recorded follow-up of how the agreement in effect was
// performed. The latest one is the case's current result.
type Performance struct {
	ID     int64
	Result PerformanceResult
	// PerformedOn is the Beijing date the result refers to (when the
	// agreement was performed, or the day the result was established),
	// as midnight UTC.
	PerformedOn  time.Time
	Note         string
	RecordedBy   int64
	RecorderName string
	RecordedAt   time.Time
}
