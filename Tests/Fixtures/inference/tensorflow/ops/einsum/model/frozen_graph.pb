
?
xPlaceholder*
dtype0* 
shape:ÿÿÿÿÿÿÿÿÿ
C
kPlaceholder*
dtype0*$
shape:ÿÿÿÿÿÿÿÿÿ
È
Einsum/inputs_1Const*
dtype0* 
value–B“"€ÔÏ¾ÉiL¿„?í¼¶AÓ>vî¾ÕÐz½|œó>­?"L?Â¿ýˆ?[Þá¾Àr.¾wÝý>èÁ½½0">Ÿy>Ž«Ô>]IŒ?fÚ,¾çõ>ÁÓ¾ß°>ùƒë=QÂ¿È1ò>Žïd½ÄM9¿‹ƒ¿Õ>9˜R>ëÈž¾ct?§'>>Ë!?ºã>Ó”Ï¾ÿDÆ>„À
?ÚÙ>Jú?­¦?í¨K¿Ìy?Å»À>¼K¿™¦>øßÍ>KË/¿pö¾¬ÂS¾ô°U¿"49>ÜUw>M0¿¢2„>²Œ>Ý´Ó¾“Ò»Ý“¾,¿ØíN?oì½Bl>
¦
Einsum_3/inputs_1Const*
dtype0*}
valuetBr"`ž«Ò>Öf˜¾Åw¢<Ø2f=î’B>†•’½a>Öt¿³wB¾ð…*?•œ¿Aá2¾¯Z?…äÉ½þ{¿ìC½qÁü½÷=a ¿YÜ¼°Øü=ã$ï½¶p§½ÁÂÑ?
S
EinsumEinsumxEinsum/inputs_1*
N*
T0*
equationabc,cde->abde
N
Einsum_1EinsumkEinsum*
N*
T0*
equationaecd,abcd->acbe
'
IdentityIdentityEinsum_1*
T0
P
Einsum_2EinsumEinsum_1k*
N*
T0*
equationacbe,aecd->abcd
^
Einsum_3EinsumEinsum_2Einsum_3/inputs_1*
N*
T0*
equationabcd,cde->abe
)

Identity_1IdentityEinsum_3*
T0"ª