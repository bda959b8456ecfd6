package web

import "github.com/labstack/echo/v4"

// webRoutes registers the pages. Every page but the sign-in and
// registration pages needs a signed-in user; sysadmin pages also need
// their system permission.
func (s *Server) webRoutes(g *echo.Group) {
	// No prefix-less groups with middleware here: echo would add a
	// catch-all route for them and turn every unknown URL into a login
	// redirect instead of a 404.
	in := s.requireLogin
	// Each area registers its pages in its own file, beside their
	// handlers.
	s.authRoutes(g, in)
	s.workRoutes(g, in)
	s.adminRoutes(g, in)
	s.caseRoutes(g, in)
	s.dossierRoutes(g, in)
	s.deadlineRoutes(g, in)
	s.statsRoutes(g, in)
	s.inboxRoutes(g, in)
	s.queueRoutes(g)
	s.referralRoutes(g, in)
	s.clockRoutes(g)
	s.assistanceRoutes(g, in)
	s.reportRoutes(g, in)
	s.creditRoutes(g, in)
	s.fairRoutes(g, in)
	s.warningRoutes(g, in)
	s.serviceRoutes(g, in)
	s.recordationRoutes(g, in)
	s.registerRoutes(g, in)
	s.associationRoutes(g, in)
	s.fairComplaintRoutes(g, in)
	s.partyRoutes(g, in)
}

// apiRoutes registers the JSON API under /api/v1.
func (s *Server) apiRoutes(g *echo.Group) {
	g.POST("/auth/login", s.apiLogin)
	g.POST("/register", s.apiRegister)

	in := s.requireAPIAuth
	g.POST("/auth/logout", s.apiLogout, in)
	g.GET("/me", s.apiMe, in)
	g.POST("/me/password", s.apiChangePassword, in)

	g.GET("/orgs", s.apiOrgList, in)
	g.GET("/orgs/:id", s.apiOrgGet, in)
	g.POST("/orgs", s.apiOrgCreate, in)
	g.PATCH("/orgs/:id", s.apiOrgUpdate, in)

	g.GET("/users", s.apiUserList, in)
	g.POST("/users", s.apiUserCreate, in)
	g.GET("/users/:id", s.apiUserGet, in)
	g.POST("/users/:id/enable", s.apiUserEnable, in)
	g.POST("/users/:id/disable", s.apiUserDisable, in)
	g.POST("/users/:id/password", s.apiUserPassword, in)
	g.POST("/users/:id/unlock", s.apiUserUnlock, in, s.requireSystem("user", "manage"))
	g.POST("/users/:id/roles", s.apiUserGrant, in)
	g.POST("/users/:id/roles/revoke", s.apiUserRevoke, in)

	g.GET("/audit", s.apiAuditList, in, s.requireSystem("audit", "read"))
	s.apiCaseRoutes(g, in)
	s.apiDeadlineRoutes(g, in)
	s.apiReferralRoutes(g, in)
	s.apiAssistanceRoutes(g, in)
	g.GET("/stats", s.apiStats, in)
	s.apiReportRoutes(g, in)
	s.apiCreditRoutes(g, in)
	s.apiRecordationRoutes(g, in)
	g.GET("/notifications", s.apiNotificationList, in)
	g.POST("/notifications/:id/read", s.apiNotificationRead, in)
}
