package wechattest

// templateState is the template API's state. (Filled in by the template work.)
type templateState struct{}

func (s *Server) templateRoutes() {}
