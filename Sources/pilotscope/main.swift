import PilotScope
print("stub")
