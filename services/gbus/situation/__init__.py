"""The weekly situation report (`gbus report`): what citizens raised, where, and how agencies answered."""
