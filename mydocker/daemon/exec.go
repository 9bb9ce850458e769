package daemon

// execRoutes registers the exec endpoints (to be written).
func (s *Server) execRoutes() {}
