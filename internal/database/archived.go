package database

import (
	"errors"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/domain"
)

// translateArchived makes the schema's refusal of a change to an archived
// case (SQLSTATE domain.ArchivedState, migration 0034) the domain's
// refusal, domain.ErrArchived, wrapping the database error: whichever
// service wrote, its caller answers 409 "the case is archived", not an
// internal error.
func translateArchived(db *gorm.DB) {
	var pg *pgconn.PgError
	if db.Error != nil && errors.As(db.Error, &pg) && pg.Code == domain.ArchivedState {
		e := domain.ErrArchived()
		e.Err = db.Error
		db.Error = e
	}
}

// registerArchived runs translateArchived after every statement.
func registerArchived(db *gorm.DB) error {
	const name = "ipmediate:archived"
	cb := db.Callback()
	for _, err := range []error{
		cb.Create().After("*").Register(name, translateArchived),
		cb.Query().After("*").Register(name, translateArchived),
		cb.Update().After("*").Register(name, translateArchived),
		cb.Delete().After("*").Register(name, translateArchived),
		cb.Row().After("*").Register(name, translateArchived),
		cb.Raw().After("*").Register(name, translateArchived),
	} {
		if err != nil {
			return err
		}
	}
	return nil
}
