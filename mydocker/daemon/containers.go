package daemon

// containerRoutes registers the containers endpoints (to be written).
func (s *Server) containerRoutes() {}
