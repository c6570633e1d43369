"""Use cases behind one facade (:class:`habitue.services.workspace.Workspace`)."""
