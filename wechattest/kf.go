package wechattest

// kfState is the kf API's state. (Filled in by the kf work.)
type kfState struct{}

func (s *Server) kfRoutes() {}
