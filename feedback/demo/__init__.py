"""The demo workspace a newcomer sees on first run: teammates, accounts, contacts, a key, surveys in every
state and half a year of responses."""
