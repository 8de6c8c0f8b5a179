s = '\ud800'
print(s)
