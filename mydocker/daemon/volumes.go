package daemon

// volumeRoutes registers the volumes endpoints (to be written).
func (s *Server) volumeRoutes() {}
