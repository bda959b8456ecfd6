package web

import "github.com/labstack/echo/v4"

// webRoutes registers the pages. Every page below /work needs a signed-in
// user; sysadmin pages also need their system permission.
func (s *Server) webRoutes(g *echo.Group) {
	g.GET("/login", s.handleLoginShow)
	g.POST("/login", s.handleLogin)
	g.POST("/logout", s.handleLogout)
	g.GET("/register", s.handleRegisterShow)
	g.POST("/register", s.handleRegister)

	// No prefix-less groups with middleware here: echo would add a
	// catch-all route for them and turn every unknown URL into a login
	// redirect instead of a 404.
	in := s.requireLogin
	g.GET("/work", s.handleWork, in)
	g.GET("/me/password", s.handlePasswordShow, in)
	g.POST("/me/password", s.handlePasswordChange, in)

	g.GET("/users", s.handleUserList, in)
	g.POST("/users", s.handleUserCreate, in)
	g.GET("/users/:id", s.handleUserShow, in)
	g.POST("/users/:id/:action", s.handleUserAction, in)

	orgs := s.requireSystem("org", "manage")
	g.GET("/orgs", s.handleOrgList, in, orgs)
	g.POST("/orgs", s.handleOrgCreate, in, orgs)
	g.GET("/orgs/:id", s.handleOrgShow, in, orgs)
	g.POST("/orgs/:id", s.handleOrgUpdate, in, orgs)

	g.GET("/audit", s.handleAuditList, in, s.requireSystem("audit", "read"))

	g.GET("/cases", s.handleCaseList, in)
	g.GET("/cases/new", s.handleCaseNew, in)
	g.POST("/cases", s.handleCaseCreate, in)
	g.GET("/cases/:id", s.handleCaseShow, in)
	g.POST("/cases/:id/documents", s.handleDocumentUpload, s.uploadLimit, in)
	g.POST("/cases/:id/:action", s.handleCaseAction, in)
	g.GET("/cases/:id/print/:doc", s.handleCasePrint, in)
	g.GET("/documents/:id", s.handleDocumentDownload, in)
	g.GET("/deadlines", s.handleDeadlines, in)
	g.GET("/stats", s.handleStats, in)
	g.GET("/stats.csv", s.handleStatsCSV, in)
	g.GET("/stats.xlsx", s.handleStatsXLSX, in)
	g.GET("/stats/return.xlsx", s.handleStatsReturn, in)
	g.GET("/inbox", s.handleInbox, in)
	g.POST("/inbox/read", s.handleInboxReadAll, in)
	g.POST("/inbox/:id/read", s.handleInboxRead, in)
	s.queueRoutes(g)
	s.referralRoutes(g, in)
	s.clockRoutes(g)
	s.assistanceRoutes(g, in)
	s.reportRoutes(g, in)
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
	g.GET("/notifications", s.apiNotificationList, in)
	g.POST("/notifications/:id/read", s.apiNotificationRead, in)
}
