package user

import (
	"context"
	"errors"
	"fmt"
)

// Tag is a user tag of the account (用户标签).
type Tag struct {
	ID    int    `json:"id"`
	Name  string `json:"name"`
	Count int    `json:"count,omitempty"` // followers with the tag; filled by Tags only
}

// Limits on tags, as WeChat documents them.
const (
	MaxTagNameBytes = 30  // UTF-8 bytes of a tag name: about 10 Chinese characters
	MaxTags         = 100 // tags an account can create
	MaxTagsPerUser  = 20  // tags on one user
)

// ErrSystemTag is returned, before any request, for an attempt to rename or delete
// one of WeChat's system tags (ids 0, 1 and 2, such as 2 星标组).
var ErrSystemTag = errors.New("user: tags 0, 1 and 2 are system tags and cannot be changed")

func isSystemTag(id int) bool { return id >= 0 && id <= 2 }

func checkTagName(name string) error {
	switch {
	case name == "":
		return errors.New("user: empty tag name")
	case len(name) > MaxTagNameBytes:
		return fmt.Errorf("user: tag name is %d bytes, the limit is %d", len(name), MaxTagNameBytes)
	}
	return nil
}

type tagBody struct {
	Tag struct {
		ID   int    `json:"id,omitempty"`
		Name string `json:"name,omitempty"`
	} `json:"tag"`
}

// CreateTag creates a tag named name and returns it with the id WeChat gave it.
// The name must be unique and at most 30 bytes; an account has at most 100 tags
// (errcode 45056 past that, 45157 for a name already used).
//
// WeChat docs: https://developers.weixin.qq.com/doc/offiaccount/User_Management/User_Tag_Management.html
func (s *Service) CreateTag(ctx context.Context, name string) (*Tag, error) {
	if err := checkTagName(name); err != nil {
		return nil, err
	}
	var req, resp tagBody
	req.Tag.Name = name
	if err := s.oa.PostJSON(ctx, "/cgi-bin/tags/create", nil, req, &resp); err != nil {
		return nil, err
	}
	return &Tag{ID: resp.Tag.ID, Name: resp.Tag.Name}, nil
}

// Tags lists the account's tags, system tags included, each with its follower
// count.
//
// WeChat docs: https://developers.weixin.qq.com/doc/offiaccount/User_Management/User_Tag_Management.html
func (s *Service) Tags(ctx context.Context) ([]Tag, error) {
	var resp struct {
		Tags []Tag `json:"tags"`
	}
	if err := s.oa.GetJSON(ctx, "/cgi-bin/tags/get", nil, &resp); err != nil {
		return nil, err
	}
	return resp.Tags, nil
}

// UpdateTag renames the tag id to name. System tags (0, 1, 2) cannot be renamed
// (ErrSystemTag); an unknown id is errcode 45159.
//
// WeChat docs: https://developers.weixin.qq.com/doc/offiaccount/User_Management/User_Tag_Management.html
func (s *Service) UpdateTag(ctx context.Context, id int, name string) error {
	if isSystemTag(id) {
		return ErrSystemTag
	}
	if err := checkTagName(name); err != nil {
		return err
	}
	var req tagBody
	req.Tag.ID, req.Tag.Name = id, name
	return s.oa.PostJSON(ctx, "/cgi-bin/tags/update", nil, req, nil)
}

// DeleteTag deletes the tag id and takes it off every user. System tags (0, 1, 2)
// cannot be deleted (ErrSystemTag); a tag on more than 100,000 followers cannot be
// deleted before they are untagged (errcode 45057).
//
// WeChat docs: https://developers.weixin.qq.com/doc/offiaccount/User_Management/User_Tag_Management.html
func (s *Service) DeleteTag(ctx context.Context, id int) error {
	if isSystemTag(id) {
		return ErrSystemTag
	}
	var req tagBody
	req.Tag.ID = id
	return s.oa.PostJSON(ctx, "/cgi-bin/tags/delete", nil, req, nil)
}
