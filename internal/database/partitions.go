package database

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/calendar"
)

// PartitionedTables are the tables range-partitioned by year (migration
// 0043): the case timeline and the audit log.
var PartitionedTables = []string{"case_events", "audit_log"}

// PartitionReport says what EnsurePartitions did and found.
type PartitionReport struct {
	// Made names the partitions made, e.g. "audit_log_2028".
	Made []string
	// InDefault counts, per table, the rows kept in its DEFAULT partition:
	// rows of a year that had no partition when they were written. They
	// are safe and read like any other, but their year can no longer get
	// a partition of its own without moving them (docs/scaling.md §3).
	InDefault map[string]int64
}

// EnsurePartitions makes the yearly partitions of PartitionedTables for
// the year of now (in the city's time zone, Beijing time) and the next
// one, unless they exist. It is idempotent and cheap when there is nothing
// to do, and safe to run from several processes at once (the partition is
// made under the parent's lock; a second maker finds it made).
func EnsurePartitions(ctx context.Context, db *gorm.DB, now time.Time) (PartitionReport, error) {
	year := now.In(calendar.Beijing).Year()
	rep := PartitionReport{InDefault: map[string]int64{}}
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// One maker at a time: two processes starting together would
		// otherwise both try CREATE TABLE and one would fail.
		if err := tx.Exec(`SELECT pg_advisory_xact_lock(hashtext('ipmediate:partitions'))`).Error; err != nil {
			return err
		}
		return tx.Raw(`SELECT * FROM ensure_year_partitions(?, ?)`, year, year+1).Scan(&rep.Made).Error
	})
	if err != nil {
		return rep, fmt.Errorf("make the partitions of %d and %d: %w", year, year+1, err)
	}
	for _, t := range PartitionedTables {
		var n int64
		if err := db.WithContext(ctx).Raw(`SELECT count(*) FROM ` + t + `_default`).Scan(&n).Error; err != nil {
			return rep, fmt.Errorf("count the rows of %s_default: %w", t, err)
		}
		if n > 0 {
			rep.InDefault[t] = n
		}
	}
	return rep, nil
}

// LogPartitions is EnsurePartitions with what it did logged; rows found in
// a DEFAULT partition are warned about.
func LogPartitions(ctx context.Context, db *gorm.DB, now time.Time, log *slog.Logger) error {
	rep, err := EnsurePartitions(ctx, db, now)
	if err != nil {
		return err
	}
	for _, p := range rep.Made {
		log.Info("partition made", "partition", p)
	}
	for t, n := range rep.InDefault {
		log.Warn("rows in a default partition: their year had no partition when they were written",
			"table", t, "rows", n, "see", "docs/scaling.md §3")
	}
	return nil
}
