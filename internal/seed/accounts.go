package seed

// DemoUsernames lists the username of every demo account the seed
// creates, all with DemoPassword. A production start refuses to run while
// any of them is active with that password (internal/app), because the
// password is published: a database seeded for a demo must not become a
// production database with those accounts open.
func DemoUsernames() []string {
	users := demoUsers()
	out := make([]string, 0, len(users)+1)
	out = append(out, "admin")
	for _, u := range users {
		out = append(out, u.Username)
	}
	return out
}
