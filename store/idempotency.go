package store

import (
	"context"
	"time"

	"gorm.io/gorm/clause"
)

// IdempotentRequest remembers a request made with an Idempotency-Key and, once answered, its response, so that a
// retry gets the same answer without acting twice. Status 0 means the first request is still being answered.
type IdempotentRequest struct {
	Principal   string `gorm:"primaryKey"`
	Key         string `gorm:"primaryKey"`
	RequestHash string
	Status      int
	ContentType string
	Body        []byte
	CreatedAt   time.Time
}

// TableName names the table.
func (IdempotentRequest) TableName() string { return "idempotency_keys" }

// ClaimIdempotencyKey records a new request under its key. When the key is already known it returns false and
// the stored request (answered or still in progress).
func (s *Store) ClaimIdempotencyKey(
	ctx context.Context, r *IdempotentRequest,
) (claimed bool, existing IdempotentRequest, err error) {
	res := s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(r)
	if res.Error != nil {
		return false, existing, translate(res.Error)
	}
	if res.RowsAffected == 1 {
		return true, existing, nil
	}
	err = s.db.WithContext(ctx).Where("principal = ? AND key = ?", r.Principal, r.Key).Take(&existing).Error
	return false, existing, translate(err)
}

// RetakeIdempotencyKey takes over a claim whose first request never finished (a crash), if it is older than
// staleBefore; it reports whether it did.
func (s *Store) RetakeIdempotencyKey(ctx context.Context, principal, key string, staleBefore time.Time) (bool, error) {
	res := s.db.WithContext(ctx).Model(&IdempotentRequest{}).
		Where("principal = ? AND key = ? AND status = 0 AND created_at < ?", principal, key, staleBefore).
		Update("created_at", time.Now().UTC())
	return res.RowsAffected == 1, translate(res.Error)
}

// CompleteIdempotencyKey stores the response of a claimed request.
func (s *Store) CompleteIdempotencyKey(
	ctx context.Context, principal, key string, status int, contentType string, body []byte,
) error {
	return translate(s.db.WithContext(ctx).Model(&IdempotentRequest{}).
		Where("principal = ? AND key = ?", principal, key).
		Updates(map[string]any{"status": status, "content_type": contentType, "body": body}).Error)
}

// ReleaseIdempotencyKey forgets a claim whose request failed in a way a retry may fix (a 5xx answer).
func (s *Store) ReleaseIdempotencyKey(ctx context.Context, principal, key string) error {
	return translate(s.db.WithContext(ctx).Where("principal = ? AND key = ? AND status = 0", principal, key).
		Delete(&IdempotentRequest{}).Error)
}

// ExpireIdempotencyKeys forgets the requests made before t, answered or not, and reports how many. A retry after
// that acts again; the workflows remember completed Updates as long (see workflows.RecentUpdates).
func (s *Store) ExpireIdempotencyKeys(ctx context.Context, t time.Time) (int64, error) {
	res := s.db.WithContext(ctx).Where("created_at < ?", t.UTC()).Delete(&IdempotentRequest{})
	return res.RowsAffected, translate(res.Error)
}
