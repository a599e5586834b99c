"""Reports: the post-crisis report of an incident, the weekly digest and the response figures over time."""
