
;
xPlaceholder*
dtype0*
shape:ÿÿÿÿÿÿÿÿÿ
;
yPlaceholder*
dtype0*
shape:ÿÿÿÿÿÿÿÿÿ
 
IdentityIdentityx*
T0
(
StopGradientStopGradienty*
T0
;
	IdentityN	IdentityNIdentityStopGradient*
T
2
*

Identity_1Identity	IdentityN*
T0
,

Identity_2IdentityIdentityN:1*
T0"ª