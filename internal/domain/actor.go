package domain

import "context"

// Membership is one role a user holds in one organisation.
type Membership struct {
	OrgID    int64
	OrgCode  string
	OrgType  OrgType
	OrgLevel OrgLevel
	Role     Role
}

// Actor is the authenticated user on whose behalf a request runs. It is set
// once per request by middleware and travels in the context; services
// derive every scope from it.
type Actor struct {
	UserID      int64
	Username    string
	DisplayName string
	Sysadmin    bool
	Memberships []Membership
	// Supervised lists the organisations a city-level director supervises
	// (the county committees under their committee): read and reassign.
	Supervised []int64
}

// Name is what timelines and histories show for who acted: the display
// name, else the username; "system" for work done by no one (a nil
// actor, the scheduler).
func (a *Actor) Name() string {
	switch {
	case a == nil:
		return "system"
	case a.DisplayName != "":
		return a.DisplayName
	default:
		return a.Username
	}
}

// UserIDRef is the actor's user id for a nullable column: nil for the
// system.
func (a *Actor) UserIDRef() *int64 {
	if a == nil || a.UserID == 0 {
		return nil
	}
	id := a.UserID
	return &id
}

// HasRole reports whether the actor holds role in org.
func (a *Actor) HasRole(orgID int64, role Role) bool {
	if a == nil {
		return false
	}
	for _, m := range a.Memberships {
		if m.OrgID == orgID && m.Role == role {
			return true
		}
	}
	return false
}

// HasAnyRole reports whether the actor holds role in any organisation.
func (a *Actor) HasAnyRole(role Role) bool {
	if a == nil {
		return false
	}
	if role == RoleSysadmin {
		return a.Sysadmin
	}
	for _, m := range a.Memberships {
		if m.Role == role {
			return true
		}
	}
	return false
}

// OrgIDs returns the organisations the actor is a member of, each once.
func (a *Actor) OrgIDs() []int64 {
	if a == nil {
		return nil
	}
	seen := map[int64]bool{}
	var out []int64
	for _, m := range a.Memberships {
		if !seen[m.OrgID] {
			seen[m.OrgID] = true
			out = append(out, m.OrgID)
		}
	}
	return out
}

// OrgsWithRole returns the organisations where the actor holds role.
func (a *Actor) OrgsWithRole(role Role) []int64 {
	if a == nil {
		return nil
	}
	var out []int64
	for _, m := range a.Memberships {
		if m.Role == role {
			out = append(out, m.OrgID)
		}
	}
	return out
}

// ReachIn returns the rows of o that the roles the actor holds in org
// reach (the role table, role.go); the caller still checks the permission.
func (a *Actor) ReachIn(orgID int64, o Object) Reach {
	if a == nil {
		return 0
	}
	var r Reach
	for _, m := range a.Memberships {
		if m.OrgID == orgID {
			r |= m.Role.Reach(o)
		}
	}
	return r
}

// ReachAny returns the rows of o that the actor's roles reach, in any
// organisation.
func (a *Actor) ReachAny(o Object) Reach {
	if a == nil {
		return 0
	}
	var r Reach
	for _, m := range a.Memberships {
		r |= m.Role.Reach(o)
	}
	return r
}

// IsMember reports whether the actor belongs to org in any role.
func (a *Actor) IsMember(orgID int64) bool {
	if a == nil {
		return false
	}
	for _, m := range a.Memberships {
		if m.OrgID == orgID {
			return true
		}
	}
	return false
}

// Supervises reports whether the actor supervises org as a city-level
// director.
func (a *Actor) Supervises(orgID int64) bool {
	if a == nil {
		return false
	}
	for _, id := range a.Supervised {
		if id == orgID {
			return true
		}
	}
	return false
}

type actorKey struct{}

// WithActor returns a context carrying the actor.
func WithActor(ctx context.Context, a *Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the context's actor, or nil when the request is
// anonymous.
func ActorFrom(ctx context.Context) *Actor {
	a, _ := ctx.Value(actorKey{}).(*Actor)
	return a
}

// RequireActor returns the context's actor or EUNAUTHORIZED.
func RequireActor(ctx context.Context) (*Actor, error) {
	if a := ActorFrom(ctx); a != nil {
		return a, nil
	}
	return nil, Errorf(EUNAUTHORIZED, "authentication required")
}

// RequestMeta describes where a request came from, for the audit log.
type RequestMeta struct {
	IP        string
	RequestID string
	UserAgent string
}

type metaKey struct{}

// WithRequestMeta returns a context carrying m.
func WithRequestMeta(ctx context.Context, m RequestMeta) context.Context {
	return context.WithValue(ctx, metaKey{}, m)
}

// RequestMetaFrom returns the context's request metadata (zero when none).
func RequestMetaFrom(ctx context.Context) RequestMeta {
	m, _ := ctx.Value(metaKey{}).(RequestMeta)
	return m
}
