xs = [1]
for x in xs:
    xs.append(x)
