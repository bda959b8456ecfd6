package domain

// MsgArchived names, in the message catalogs, the refusal of a change to
// an archived case.
const MsgArchived = "conflict.archived"

// ArchivedState is the SQLSTATE with which the schema refuses a change to
// an archived case (migration 0034), behind the services' own checks.
const ArchivedState = "IPARC"

// ErrArchived is the refusal of any change to an archived case (归档):
// its dossier is the record, so the case is read-only.
func ErrArchived() *Error {
	return &Error{Code: ECONFLICT, Message: "the case is archived and cannot be changed", ID: MsgArchived}
}
