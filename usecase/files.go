package usecase

import (
	"context"
	"errors"
	"io"
	"time"

	"junheng/evaluation"
	"junheng/files"
	"junheng/store"
	"junheng/vocab"
)

// File is a file a may read: a district only those recorded for it; the offices, the province and admins those
// of the districts they reach and the offices' own. Anything else is NotFound.
func (c *Core) File(ctx context.Context, a Actor, id string) (store.File, error) {
	var f store.File
	unit, err := a.reach()
	switch {
	case err != nil:
	case a.Role == vocab.RoleDistrict:
		f, err = c.store.FileFor(ctx, id, a.District())
	default:
		f, err = c.store.FileUnder(ctx, id, unit)
	}
	if errors.Is(err, store.ErrNotFound) {
		return f, ErrNotFound
	}
	return f, err
}

// checkFile names field when the file it refers to is not one a may use.
func (c *Core) checkFile(ctx context.Context, a Actor, f *Fields, field, id string) {
	if id == "" {
		return
	}
	if _, err := c.File(ctx, a, id); err != nil {
		f.Add(field, "引用的文件不存在, 请先上传", "no such file: upload it first")
	}
}

// shareFile lets a district read a file attached to its cycle (a feedback or acceptance report, the province's
// document), which checkFile has found the actor may use. The action it belongs to stands even if the caller has
// gone: so must its share.
func (c *Core) shareFile(ctx context.Context, id, district string) error {
	if id == "" {
		return nil
	}
	ctx = context.WithoutCancel(ctx)
	f, err := c.store.AnyFile(ctx, id)
	if err != nil {
		return err
	}
	f.DistrictCode = district
	return c.store.AddFile(ctx, &f)
}

// NewFile is a file to keep: an evidence file, a responsibility letter, a report. District is the district it is
// for when the office uploads it ("" for the office's own); a district's upload is always its own.
type NewFile struct {
	Name     string
	District string
	Content  io.Reader
}

// UploadFile stores a file, checked by its content (PDF, images, Office documents, at most files.MaxSize).
func (c *Core) UploadFile(ctx context.Context, a Actor, in NewFile) (_ store.File, err error) {
	defer c.refused(ctx, a, "upload_file", in.District, "", &err)
	district := in.District
	if a.Role == vocab.RoleDistrict {
		district = a.District()
	} else if district != "" && !DistrictCode.MatchString(district) {
		return store.File{}, InvalidInput(evaluation.Problem{Field: "district", MessageZh: "区县代码无效",
			MessageEn: "not a district code"})
	} else if district != "" {
		if err := c.Sees(ctx, a, district); err != nil {
			return store.File{}, err
		}
	}
	id, size, ct, err := c.files.Put(ctx, in.Content)
	switch {
	case errors.Is(err, files.ErrTooLarge):
		return store.File{}, &Error{Kind: TooLarge, MessageZh: "文件超过 20 MiB 上限",
			MessageEn: "the file is over the 20 MiB limit"}
	case errors.Is(err, files.ErrType):
		return store.File{}, InvalidInput(evaluation.Problem{Field: "file",
			MessageZh: "只接受 PDF、图片和 Office 文档(按内容识别)",
			MessageEn: "only PDF, images and Office documents are accepted (checked by content)"})
	case err != nil:
		return store.File{}, err
	}
	f := store.File{ID: id, DistrictCode: district, Name: files.CleanName(in.Name), ContentType: ct, Size: size,
		UploadedBy: a.Name, CreatedAt: time.Now().UTC()}
	return f, c.store.AddFile(ctx, &f)
}

// OpenFile is a file a may read, with its content to close.
func (c *Core) OpenFile(ctx context.Context, a Actor, id string) (store.File, io.ReadCloser, error) {
	f, err := c.File(ctx, a, id)
	if err != nil {
		return f, nil, err
	}
	r, err := c.files.Open(ctx, f.ID)
	return f, r, err
}
