package notify

import "context"

// SetBeforeCommit installs a hook that runs inside each delivery
// transaction just before it commits (fault injection in tests).
func SetBeforeCommit(s *Service, f func(ctx context.Context, topic string, id int64) error) {
	s.beforeCommit = f
}

// StageTime is stageTime.
var StageTime = stageTime

// PlannedStage is plannedStage.
type PlannedStage = plannedStage

// PlanStagesForTest is planStages.
var PlanStagesForTest = planStages
