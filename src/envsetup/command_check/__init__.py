"""`envsetup check-command`: judge a pasted pip / uv / conda install command for this machine."""
