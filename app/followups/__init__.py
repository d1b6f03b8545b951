"""Follow-up of members who may fall through: lists for the duta, and the outcome of each contact."""
