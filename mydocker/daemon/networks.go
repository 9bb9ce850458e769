package daemon

// networkRoutes registers the networks endpoints (to be written).
func (s *Server) networkRoutes() {}
