package wechattest

// menuState is the menu API's state. (Filled in by the menu work.)
type menuState struct{}

func (s *Server) menuRoutes() {}
