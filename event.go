package wechat

// Event is the Event of an event push (事件推送), such as "subscribe". Package
// message names every one (message.EventSubscribe, …; message.Event is this
// type) and routes by them. It is defined here, below both, so that wechattest
// can take the same constants without importing message, whose own tests use
// wechattest.
type Event string
