package draft

// wireArticle is an article as WeChat's JSON has it.
type wireArticle struct {
	ArticleType        ArticleType  `json:"article_type,omitempty"`
	Title              string       `json:"title"`
	Author             string       `json:"author,omitempty"`
	Digest             string       `json:"digest,omitempty"`
	Content            string       `json:"content"`
	ContentSourceURL   string       `json:"content_source_url,omitempty"`
	ThumbMediaID       string       `json:"thumb_media_id,omitempty"`
	NeedOpenComment    int          `json:"need_open_comment"`
	OnlyFansCanComment int          `json:"only_fans_can_comment"`
	PicCrop2351        string       `json:"pic_crop_235_1,omitempty"`
	PicCrop11          string       `json:"pic_crop_1_1,omitempty"`
	ImageInfo          *imageInfo   `json:"image_info,omitempty"`
	CoverInfo          *coverInfo   `json:"cover_info,omitempty"`
	ProductInfo        *productInfo `json:"product_info,omitempty"`
	URL                string       `json:"url,omitempty"`
	ThumbURL           string       `json:"thumb_url,omitempty"`
}

type imageInfo struct {
	ImageList []imageItem `json:"image_list"`
}

type imageItem struct {
	ImageMediaID string `json:"image_media_id"`
}

type coverInfo struct {
	CropPercentList []cropPercent `json:"crop_percent_list"`
}

type cropPercent struct {
	Ratio string `json:"ratio"`
	X1    string `json:"x1"`
	Y1    string `json:"y1"`
	X2    string `json:"x2"`
	Y2    string `json:"y2"`
}

type productInfo struct {
	FooterProductInfo struct {
		ProductKey string `json:"product_key"`
	} `json:"footer_product_info"`
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (a *Article) wire() wireArticle {
	w := wireArticle{
		ArticleType: a.Type, Title: a.Title, Author: a.Author, Digest: a.Digest, Content: a.Content,
		ContentSourceURL: a.ContentSourceURL, ThumbMediaID: a.ThumbMediaID,
		NeedOpenComment: boolInt(a.OpenComment), OnlyFansCanComment: boolInt(a.OnlyFansCanComment),
		PicCrop2351: a.PicCrop2351, PicCrop11: a.PicCrop11,
	}
	if len(a.Images) > 0 {
		w.ImageInfo = &imageInfo{}
		for _, id := range a.Images {
			w.ImageInfo.ImageList = append(w.ImageInfo.ImageList, imageItem{id})
		}
	}
	if len(a.CoverCrops) > 0 {
		w.CoverInfo = &coverInfo{}
		for _, c := range a.CoverCrops {
			w.CoverInfo.CropPercentList = append(w.CoverInfo.CropPercentList, cropPercent(c))
		}
	}
	if a.ProductKey != "" {
		w.ProductInfo = &productInfo{}
		w.ProductInfo.FooterProductInfo.ProductKey = a.ProductKey
	}
	return w
}

func (w *wireArticle) article() Article {
	a := Article{
		Type: w.ArticleType, Title: w.Title, Author: w.Author, Digest: w.Digest, Content: w.Content,
		ContentSourceURL: w.ContentSourceURL, ThumbMediaID: w.ThumbMediaID,
		OpenComment: w.NeedOpenComment == 1, OnlyFansCanComment: w.OnlyFansCanComment == 1,
		PicCrop2351: w.PicCrop2351, PicCrop11: w.PicCrop11, URL: w.URL, ThumbURL: w.ThumbURL,
	}
	if a.Type == "" {
		a.Type = News
	}
	if w.ImageInfo != nil {
		for _, it := range w.ImageInfo.ImageList {
			a.Images = append(a.Images, it.ImageMediaID)
		}
	}
	if w.CoverInfo != nil {
		for _, c := range w.CoverInfo.CropPercentList {
			a.CoverCrops = append(a.CoverCrops, CoverCrop(c))
		}
	}
	if w.ProductInfo != nil {
		a.ProductKey = w.ProductInfo.FooterProductInfo.ProductKey
	}
	return a
}

func articles(ws []wireArticle) []Article {
	out := make([]Article, len(ws))
	for i := range ws {
		out[i] = ws[i].article()
	}
	return out
}
