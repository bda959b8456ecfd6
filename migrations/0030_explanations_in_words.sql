-- +goose Up
-- A deadline's explanation opened with its rule's id and then its name
-- ("规则 mediation.direct（人民调解委员会直接受理纠纷的调解期限），自…");
-- staff and parties read it, so it now names the rule in words only
-- (internal/calendar Apply). The explanations already written are
-- rewritten the same way. The rule's id stays in deadlines.rule_id.
UPDATE deadlines
SET explanation = regexp_replace(explanation, '^规则 [a-z0-9_.]+（(.*?)），(自|依据)', '规则：\1，\2')
WHERE explanation LIKE '规则 %';

-- +goose Down
-- Nothing: the id is in rule_id, and the words read the same either way.
SELECT 1;
