package wechattest

// userState is the user API's state. (Filled in by the user work.)
type userState struct{}

func (s *Server) userRoutes() {}
