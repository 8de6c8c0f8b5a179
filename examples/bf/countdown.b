Counts down from 9 to 0 on one line then prints a newline
Cell 0 holds the ASCII code of 9 and cell 1 counts ten steps
+++++++[>++++++++<-]>+
[<+>-]<
>++++++++++
[<.->-]
++++++++++.
