"""A stand-in of Slack on 127.0.0.1: one Web API (api.py, api_messages.py, api_views.py) over one
model of what Slack holds (workspace.py), served by `StandInServer`, which refuses Block Kit Slack
would refuse (validation.py) and reads and answers calls by Slack's conventions (wire.py).

It has two faces. The tests' (`RecordingSlack`, recording.py) records every call, injects Slack's
errors on demand and plays several workspaces installed by OAuth; its workspace takes what the
tests wrote straight into the database. The sandbox's (`SandboxSlack`, sandbox_face.py) serves a
workspace of personas that a page shows (seen.py) and keeps between runs (saving.py); its
workspace refuses whatever it never saw made."""
