"""A stand-in of Slack on 127.0.0.1, one package with two faces: the tests' (`RecordingSlack`:
every call recorded, Slack's errors injected on demand, several workspaces installed by OAuth)
and the sandbox's (`WorkspaceSlack`: a workspace of people, conversations, threads, modals and
App Homes that a page shows). Both serve the Web API through `StandInServer`, read calls and
answer them by Slack's conventions (`wire`) and refuse Block Kit Slack would refuse
(`validation`)."""
