"""Pure domain: entities of the open format, enumerations, error codes. No I/O."""
