package deadline

import (
	"time"
)

// row maps deadlines (migrations/0006_deadlines.sql).
type row struct {
	ID                int64 `gorm:"primaryKey"`
	SubjectType       string
	SubjectID         int64
	OrgID             int64
	CaseID            *int64
	Kind              string
	RuleID            string
	Title             string
	EventAt           *time.Time
	DueAt             time.Time
	Basis             string
	Explanation       string
	Provisional       bool
	Status            string
	ResponsibleUserID *int64
	CreatedAt         time.Time
	UpdatedAt         time.Time
	ClosedAt          *time.Time
	ExtendedFrom      *time.Time
	Duty              string
	Version           int
	// CaseNumber and CaseStatus are cases.number and cases.status, filled
	// by the listings' join.
	CaseNumber string `gorm:"->;-:migration"`
	CaseStatus string `gorm:"->;-:migration"`
}

func (row) TableName() string { return "deadlines" }

func (r row) toDeadline() Deadline {
	return Deadline{ID: r.ID, Subject: Subject{Type: SubjectType(r.SubjectType), ID: r.SubjectID}, OrgID: r.OrgID,
		CaseID: r.CaseID, CaseNumber: r.CaseNumber, CaseStatus: r.CaseStatus, Kind: r.Kind, RuleID: r.RuleID, Title: r.Title, EventAt: r.EventAt,
		DueAt: r.DueAt, Basis: r.Basis, Explanation: r.Explanation, Provisional: r.Provisional, Status: Status(r.Status),
		ResponsibleUserID: r.ResponsibleUserID, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, ClosedAt: r.ClosedAt,
		ExtendedFrom: r.ExtendedFrom, Duty: Duty(r.Duty), Version: r.Version}
}
