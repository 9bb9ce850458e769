package daemon

// imageRoutes registers the images endpoints (to be written).
func (s *Server) imageRoutes() {}
