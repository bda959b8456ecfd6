package domain

// ConsentingMembers is the SQL sub-query of the enterprises that are
// active members of the associations bound to its one parameter (a list
// of organisation ids) and whose consent to the association reading
// their cases and applications stands now (table association_members,
// internal/association). The scopes of reach ReachMembers (the case and
// assistance services) read through it on every request, so a consent
// withdrawn or a membership ended takes effect at once.
const ConsentingMembers = `SELECT am.member_org_id FROM association_members am
WHERE am.association_org_id IN ? AND am.status = 'active' AND am.consent_at IS NOT NULL`
