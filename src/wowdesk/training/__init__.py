"""Training: the practice simulator (scripted customers scored with the quality scorecard),
the entry test that sets a level and a track, and tracks of modules unlocked in order."""
