"""Who may do what: roles ranked viewer < editor < owner < admin."""
