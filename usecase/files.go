package usecase

import (
	"context"
	"errors"

	"junheng/store"
	"junheng/workflows"
)

// File is a file a may read: the office, the province and admins read every file, a district only those recorded
// for it. Anything else is NotFound.
func (c *Core) File(ctx context.Context, a Actor, id string) (store.File, error) {
	var f store.File
	var err error
	if a.Role == workflows.RoleDistrict {
		f, err = c.store.FileFor(ctx, id, a.District)
	} else {
		f, err = c.store.AnyFile(ctx, id)
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
